run: seek-tell bad-tell
files: sample.txt
status: 255
---
(seek-tell) begin
(seek-tell) tell(-1)
seek-tell: exit(-1)
