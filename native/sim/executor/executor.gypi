# Executor core and the light operators (paths relative to this file). CMake globs the tree.
{
  "sources": []
}
