run: write bad-ptr
files: sample.txt
status: 255
---
(write) begin
(write) write from 0x10123420
write: exit(-1)
