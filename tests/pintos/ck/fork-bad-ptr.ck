run: fork bad-ptr
status: 255
---
(fork) begin
(fork) fork((char *) 0x20101234)
fork: exit(-1)
