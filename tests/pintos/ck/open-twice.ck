run: open twice
files: sample.txt
---
(open) begin
(open) two opens give two descriptors
(open) read 10 bytes through the first
(open) the second still reads from 0
(open) positions 10 and 5
(open) end
open: exit(0)
