run: create kernel
status: 255
---
(create) begin
(create) create((char *) KERN_BASE)
create: exit(-1)
