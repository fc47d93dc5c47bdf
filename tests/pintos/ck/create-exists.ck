run: create exists
files: sample.txt
file: sample.txt 338
---
(create) begin
(create) create quux.dat
(create) create quux.dat again fails
(create) create sample.txt (there already) fails
(create) end
create: exit(0)
