run: read bound
files: sample.txt
---
(read) begin
(read) read into a buffer across a page boundary
(read) the bytes are the file's
(read) end
read: exit(0)
