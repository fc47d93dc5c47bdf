# fd 0 is the keyboard: vmlab's standard input
run: read stdin
stdin: sample.txt
---
(read) begin
(read) read 20 bytes from the keyboard
(read) the first 20 bytes of standard input
(read) the rest, up to its end
(read) then 0
(read) end
read: exit(0)
