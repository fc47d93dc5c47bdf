run: bad misaligned
status: 255
---
(bad) begin
(bad) an atomic add at a misaligned address
bad: exit(-1)
