run: exec not-elf
files: sample.txt
status: 255
---
(exec) begin
(exec) exec sample.txt
exec: exit(-1)
