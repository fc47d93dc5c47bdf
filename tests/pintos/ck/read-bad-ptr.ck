run: read bad-ptr
files: sample.txt
status: 255
san: yes
---
(read) begin
(read) read into 0xc0100000
read: exit(-1)
