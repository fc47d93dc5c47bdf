run: write bad-fd
status: 255
---
(write) begin
(write) write(7, buf, 10), fd 7 never opened
write: exit(-1)
