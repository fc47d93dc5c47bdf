run: create long
---
(create) begin
(create) create a 511-character name fails
(create) end
create: exit(0)
