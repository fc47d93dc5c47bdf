run: create sized
file: sized.dat 5000
---
(create) begin
(create) create sized.dat, 5000 bytes
(create) its size is 5000
(create) read gives 5000 bytes
(create) all of them zero
(create) end
create: exit(0)
