run: seek-tell bad-seek
files: sample.txt
status: 255
---
(seek-tell) begin
(seek-tell) seek(12, 0)
seek-tell: exit(-1)
