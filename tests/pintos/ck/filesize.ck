run: filesize normal
files: sample.txt
file: made 1234
---
(filesize) begin
(filesize) sample.txt has 338 bytes
(filesize) create made, 1234 bytes
(filesize) made has 1234 bytes
(filesize) end
filesize: exit(0)
