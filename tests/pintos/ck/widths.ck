run: widths
files: sample.txt
---
(widths) begin
(widths) read(fd, buf, 10) with the upper halves of fd and size set
(widths) seek(fd, 100) likewise: tell is 100
(widths) tell's result is the unsigned 100
(widths) tell of 0xfffffff0 is zero-extended
(widths) filesize with the upper half set
(widths) a result of -1 is sign-extended to 64 bits
(widths) wait(-1 in the low half): -1
child: exit(-2)
(widths) wait for a child that exited with 0xdead0000fffffffe: -2
(widths) end
widths: exit(0)
