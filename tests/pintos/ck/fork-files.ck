# a forked descriptor starts at the parent's position and moves on its own
run: fork files
files: sample.txt
---
(fork) begin
(fork) the child's copy is at 10 and reads bytes 10..19
child: exit(0)
(fork) the parent's is still at 10
(fork) and reads bytes 10..19 itself
(fork) end
fork: exit(0)
