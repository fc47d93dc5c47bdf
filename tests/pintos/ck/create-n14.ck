# NAME_MAX is 14
run: create n14
file: abcdefghijklmn 0
absent: abcdefghijklmno
---
(create) begin
(create) create a 14-character name
(create) create a 15-character name fails
(create) end
create: exit(0)
