run: open bad-ptr
status: 255
---
(open) begin
(open) open((char *) 0x20101234)
open: exit(-1)
