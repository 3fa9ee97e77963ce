import { Body1, Title2, makeStyles, tokens } from "@fluentui/react-components";
import { Link } from "react-router";

const useStyles = makeStyles({
  page: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM },
  link: { color: tokens.colorBrandForegroundLink },
});

export function NotFoundPage() {
  const s = useStyles();
  return (
    <section className={s.page}>
      <Title2 as="h1">Page not found</Title2>
      <Body1>There is no page at this address.</Body1>
      <Link className={s.link} to="/incidents">
        Go to the incidents
      </Link>
    </section>
  );
}
