import { Title2 } from "@fluentui/react-components";

export function ServicesPage() {
  return <Title2 as="h1">Services</Title2>;
}
