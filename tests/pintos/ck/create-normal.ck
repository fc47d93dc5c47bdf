run: create normal
file: quux.dat 0
san: yes
---
(create) begin
(create) create quux.dat
(create) its size is 0
(create) end
create: exit(0)
