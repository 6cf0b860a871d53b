"""What people see: figures, the network picture, HTML reports, in two languages."""
