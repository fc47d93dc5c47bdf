run: stack deep
san: yes
---
(stack) begin
(stack) 150 nested calls with 4000-byte frames (600 KiB)
(stack) end
stack: exit(0)
