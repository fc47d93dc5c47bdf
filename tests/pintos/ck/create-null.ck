run: create null
status: 255
san: yes
---
(create) begin
(create) create(NULL)
create: exit(-1)
