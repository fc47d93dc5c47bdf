# a child the kernel killed: its exit line says -1, and so does wait
run: wait killed
files: child-bad
---
(wait) begin
(child-bad) about to read address 0
child-bad: exit(-1)
(wait) wait for child-bad: -1
(wait) end
wait: exit(0)
