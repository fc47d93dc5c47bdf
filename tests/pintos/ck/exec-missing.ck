# a failed load ends the process with -1 (no "load:" line: nothing but exit lines)
run: exec missing
status: 255
---
(exec) begin
(exec) exec no-such-file
exec: exit(-1)
