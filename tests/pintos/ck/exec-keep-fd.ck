# open files stay open across exec, at their positions (duplicated by fork)
run: exec keep-fd
files: sample.txt child-fd
---
(exec) begin
(exec) read 10 bytes of sample.txt (fd 2)
(child-fd) read 10 bytes of fd 2 at 10: ' of a Pint'
child-fd: exit(0)
(exec) wait for child-fd: 0
(exec) the parent's sample.txt is still at 10
(exec) end
exec: exit(0)
