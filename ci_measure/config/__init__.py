"""What a partnership is: the catalog, the partnership, the workspace folder, periods."""
