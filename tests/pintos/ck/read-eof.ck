run: read eof
files: sample.txt
---
(read) begin
(read) read past the end: 0 bytes
(read) read 100 with 10 left: 10 bytes
(read) the last 10 bytes
(read) then 0
(read) end
read: exit(0)
