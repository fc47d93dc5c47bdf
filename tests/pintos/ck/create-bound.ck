run: create bound
file: quux.dat 0
---
(create) begin
(create) create a name across a page boundary
(create) end
create: exit(0)
