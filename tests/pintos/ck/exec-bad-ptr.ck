run: exec bad-ptr
status: 255
---
(exec) begin
(exec) exec((char *) 0x20101234)
exec: exit(-1)
