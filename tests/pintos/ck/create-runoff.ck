# a name that runs from a mapped page into an unmapped one is a bad pointer
run: create runoff
status: 255
absent: nnnnnnnnnnnnnn
---
(create) begin
(create) create page, 4096 bytes
(create) mmap it
(create) create a name whose last 100 bytes end the mapping, no NUL
create: exit(-1)
