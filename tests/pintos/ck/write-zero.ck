run: write zero
files: sample.txt
---
(write) begin
(write) a 0-byte write returns 0
(write) end
write: exit(0)
