run: read bad-fd
status: 255
---
(read) begin
(read) read(5, buf, 10), fd 5 never opened
read: exit(-1)
