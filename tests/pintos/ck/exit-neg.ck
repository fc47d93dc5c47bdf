# exit(-1) by choice: the line PintOS prints for a kill; vmlab's status -1 & 0xff
run: exit -1
status: 255
---
(exit) begin
exit: exit(-1)
