# The model layer: aclmdl* and data buffers / tensor descriptors (paths relative to this file).
{
  "sources": []
}
