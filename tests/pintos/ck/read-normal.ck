run: read normal
files: sample.txt
san: yes
---
(read) begin
(read) read all of sample.txt
(read) the bytes are the file's
(read) end
read: exit(0)
