run: write normal
files: sample.txt
file: sample.txt 338
---
(write) begin
(write) write sample.txt's own bytes
(write) end
write: exit(0)
