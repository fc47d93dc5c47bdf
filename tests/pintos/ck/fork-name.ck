# a thread's name holds 15 characters
run: fork name
---
(fork) begin
abcdefghijklmno: exit(0)
(fork) wait: 0
(fork) end
fork: exit(0)
