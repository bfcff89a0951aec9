# The ONNX reader (paths relative to this file).
{
  "sources": []
}
