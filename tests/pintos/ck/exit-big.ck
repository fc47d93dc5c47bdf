# the line shows the whole int; vmlab's status is its low 8 bits
run: exit 300
status: 44
---
(exit) begin
exit: exit(300)
