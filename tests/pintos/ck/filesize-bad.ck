run: filesize bad-fd
status: 255
---
(filesize) begin
(filesize) filesize(100)
filesize: exit(-1)
