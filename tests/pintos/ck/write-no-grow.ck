# files do not grow: a write stops at end of file
run: write no-grow
file: small 10
san: yes
---
(write) begin
(write) create small, 10 bytes
(write) write 20 bytes: 10 are written
(write) write at its end: 0
(write) the file is still 10 bytes
(write) write past its end: 0
(write) still 10 bytes
(write) small holds the first 10 bytes written
(write) end
write: exit(0)
