run: create bad-ptr
status: 255
---
(create) begin
(create) create((char *) 0x20101234)
create: exit(-1)
