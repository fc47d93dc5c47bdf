run: read zero
files: sample.txt
---
(read) begin
(read) a 0-byte read returns 0
(read) and writes nothing
(read) end
read: exit(0)
