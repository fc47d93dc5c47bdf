run: read kernel
files: sample.txt
status: 255
---
(read) begin
(read) read into KERN_BASE
read: exit(-1)
