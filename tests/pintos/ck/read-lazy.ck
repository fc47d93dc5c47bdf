# the buffer is bss never touched: the kernel's copy faults it in (pitfall 1)
run: read lazy
files: sample.txt
---
(read) begin
(read) read into untouched bss
(read) the bytes are the file's
(read) end
read: exit(0)
