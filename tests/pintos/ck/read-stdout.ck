run: read stdout
---
(read) begin
(read) read from fd 1 (the console) fails
(read) end
read: exit(0)
