public class J { public static void main(String[] a) throws Exception {
  try { new java.net.URL(a[0]).openStream(); } catch (Exception e) { System.out.println(e); } } }
