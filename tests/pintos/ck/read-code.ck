# a system call's buffer must be writable (pitfall 3: pt-write-code2)
run: read code
files: sample.txt
status: 255
---
(read) begin
(read) read into the code of main
read: exit(-1)
