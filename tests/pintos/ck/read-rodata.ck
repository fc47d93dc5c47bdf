run: read rodata
files: sample.txt
status: 255
---
(read) begin
(read) read into a constant string
read: exit(-1)
