run: create empty
---
(create) begin
(create) create "" fails
(create) end
create: exit(0)
