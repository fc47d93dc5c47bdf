run: write bound
file: out 338
---
(write) begin
(write) create out, 338 bytes
(write) write from a buffer across a page boundary
(write) out holds what was written
(write) end
write: exit(0)
